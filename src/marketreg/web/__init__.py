"""HTTP and UI toolkit shared by both portals: templates, dependencies, errors, CSRF, rate limits."""
