"""Evaluation on a fixed question set: retrieval, answers, citations, abstention, latency."""
