/// Hosts the device lifecycle functions over HTTP (`twins functions`).
public enum FunctionsHost {}
