"""Discrete-event simulation of a schedule against a forecast (`simulate_schedule`)."""
