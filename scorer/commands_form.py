"""Commands of the form area, registered on `cqdt`."""
