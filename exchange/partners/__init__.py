"""Partner cities and institutions."""
