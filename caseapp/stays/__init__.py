"""Shelter stays: admission and discharge against a structure's bed capacity, occupancy, waiting list."""
