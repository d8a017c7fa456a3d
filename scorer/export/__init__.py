"""Results as open data: JSON, CSV and XLSX."""
