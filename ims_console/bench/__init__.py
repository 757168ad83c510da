"""The bare Django page `make bench` compares the console's pages with."""
