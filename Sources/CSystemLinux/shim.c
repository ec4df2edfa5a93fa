// Intentionally empty: SwiftPM needs one source file in a C target; the API is in the header.
