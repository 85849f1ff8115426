// The fuzz target is in FuzzTheme.swift; libFuzzer drives it.
import FuzzDriver

runFuzzer { data, size in fuzzTheme(data, size) }
