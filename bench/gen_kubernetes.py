#!/usr/bin/env python3
"""Generate Kubernetes benchmark inputs: one large multi-document file and many small manifests.

Usage: gen_kubernetes.py OUT_DIR [--large-mb 1] [--small 10000] [--seed 1]

Writes OUT_DIR/large/all.yaml (about --large-mb megabytes of Deployments, Services, RBAC and
Argo CD objects separated by `---`) and OUT_DIR/small/ with --small one-object files.
"""

import argparse
import os
import random

TEMPLATES = [
    '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{n}
  labels: {{app: web-{n}, team: {team}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web-{n}
  template:
    metadata:
      labels:
        app: web-{n}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: main
          image: registry.example.com/web:{version}
          ports:
            - containerPort: 8080
          securityContext:
            allowPrivilegeEscalation: {escalation}
            privileged: {privileged}
          resources:
            limits: {{memory: 256Mi, cpu: 500m}}
''',
    '''apiVersion: v1
kind: Service
metadata:
  name: web-{n}
spec:
  selector:
    app: web-{n}
  ports:
    - port: 80
      targetPort: 8080
''',
    '''apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader-{n}
  namespace: {team}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments", "{resource}"]
    verbs: ["get", "list", "watch"]
''',
    '''apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: app-{n}
spec:
  destination:
    namespace: {team}-{env}
  syncPolicy:
    automated:
      prune: {prune}
      selfHeal: true
''',
]
TEAMS = ['core', 'data', 'web', 'payments']


def manifest(rng, n):
    return rng.choice(TEMPLATES).format(
        n=n, team=rng.choice(TEAMS), replicas=rng.randint(1, 9), version=rng.randint(1, 99),
        escalation=rng.choice(['false'] * 19 + ['true']), privileged=rng.choice(['false'] * 49 + ['true']),
        resource=rng.choice(['statefulsets'] * 30 + ['*']), env=rng.choice(['dev', 'staging', 'prod']),
        prune=rng.choice(['false', 'true']))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out')
    parser.add_argument('--large-mb', type=float, default=1.0)
    parser.add_argument('--small', type=int, default=10000)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, 'large'), exist_ok=True)
    documents, size, n = [], 0, 0
    while size < args.large_mb * 1e6:
        document = manifest(rng, n)
        documents.append(document)
        size += len(document) + 4
        n += 1
    with open(os.path.join(args.out, 'large', 'all.yaml'), 'w', encoding='utf-8') as handle:
        handle.write('---\n'.join(documents))
    small = os.path.join(args.out, 'small')
    for index in range(args.small):
        folder = os.path.join(small, f'team{index // 500:03d}')
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f'm{index}.yaml'), 'w', encoding='utf-8') as handle:
            handle.write(manifest(rng, index))
    print(f'large: {len(documents)} documents, {size / 1e6:.2f} MB; small: {args.small} files')


if __name__ == '__main__':
    main()
