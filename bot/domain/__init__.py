"""Funnelbot's domain: stages, applications, funnel maths and schedules.

Plain Python only: nothing in this package imports telegram or tinydb.
"""
