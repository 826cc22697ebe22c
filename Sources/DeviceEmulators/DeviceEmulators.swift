/// Local emulators of the Device Provisioning Service and IoT Hub (`twins emulate`).
public enum DeviceEmulators {}
