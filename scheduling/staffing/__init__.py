"""Staffing: agents needed per queue and interval (Erlang C/A, chat, backlog, shrinkage)."""
