"""The KM Network platform library: what every service stands on, nothing service-specific."""
