"""What every user of a trained pipeline shares: the service, the corpus annotator and
the benchmarks read entities, the meta and int8 weights through these modules."""
