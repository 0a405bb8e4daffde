"""Money, power and traffic: costs, TCO, the serving simulation, plans, fleets."""
