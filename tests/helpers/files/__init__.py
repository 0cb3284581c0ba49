"""The files each platform exports and each training team keeps, one module a platform."""
