"""Home page, dashboard, language, health check, error pages."""
