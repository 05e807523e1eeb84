"""The site around the features: the home page, dashboard, language and display switches,
the health check, the error pages and the templates' globals."""
