"""Capacity planning: required FTE per week -> hiring classes, attrition, ramp,
overtime and outsourcing, as an integer programme (see `plan.plan_capacity`)."""
