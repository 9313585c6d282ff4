pub mod force_destroy_enabled;
