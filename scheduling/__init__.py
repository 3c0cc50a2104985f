"""Staffing and scheduling: volume to agents (Erlang C, throughput), agents to shifts."""
