"""Running the trained pipeline over whole corpora: input and output records, and the
engines that run it (on this machine, or on Ray)."""
