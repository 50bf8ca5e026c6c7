"""Fleet mode: Diego and Eirini at 250,000-instance scale, as per-instance arrays (docs/fleet.md)."""
