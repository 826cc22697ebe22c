import Testing

@testable import FunctionsHost
