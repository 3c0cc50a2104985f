"""Shift scheduling: sites, shift templates, the integer programme, agents to shifts."""
