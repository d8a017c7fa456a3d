"""Commands of the site area, registered on `cqdt`."""
