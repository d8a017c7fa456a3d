"""Commands of the flow area, registered on `cqdt`."""
