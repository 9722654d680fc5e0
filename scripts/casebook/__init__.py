"""社区治理实践案例库: load, validate and render community-governance cases."""
