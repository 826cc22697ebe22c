import Testing

@testable import DeviceEmulators
