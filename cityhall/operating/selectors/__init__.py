"""Reads of the operating model, by area: dashboard, strategy, roadmap, benefits, indicators, risks,
architecture, procurement. Each does a bounded number of queries."""
