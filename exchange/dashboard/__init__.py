"""What needs attention after logging in: the dashboards, each a fixed number of queries."""
