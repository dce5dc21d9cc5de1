"""The KM Network's services, one folder each, all with the same inner shape."""
