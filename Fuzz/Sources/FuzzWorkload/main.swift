// The fuzz target is in FuzzWorkload.swift; libFuzzer drives it.
import FuzzDriver

runFuzzer { data, size in fuzzWorkload(data, size) }
