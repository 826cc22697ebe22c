import ADTWire

/// The function keys the host accepts, as Azure Functions checks them for HTTP triggers with
/// `AuthorizationLevel.Function`: a call must present either a *host* key (valid for every
/// function, like the function app's `default` host key) or one of the called function's own
/// keys. The key travels in the `x-functions-key` header or the `code` query parameter (the
/// header wins when both are present); a missing or wrong key is answered 401 with an empty body.
///
/// No keys at all means keys are not required: local development only (see
/// ``FunctionsHostConfiguration/validate()``).
///
/// `description` and `dump` show how many keys there are, never the keys.
public struct FunctionKeys: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// Keys valid for every function.
    public var hostKeys: Set<String>
    /// Keys valid for one function only.
    public var functionKeys: [FunctionName: Set<String>]

    /// Keys with the given values.
    public init(hostKeys: some Sequence<String> = [], functionKeys: [FunctionName: [String]] = [:]) {
        self.hostKeys = Set(hostKeys)
        self.functionKeys = functionKeys.mapValues(Set.init)
    }

    /// Keys from command-line style arguments: `KEY` is a host key, `FUNCTION=KEY` (with
    /// `FUNCTION` one of ``FunctionName``, any case) a key of that function only. A key whose
    /// only `=` are at its end (base64 padding) is a host key.
    ///
    /// - Throws: ``FunctionKeyError`` for `NAME=KEY` with an unknown function name, an empty
    ///   key, or one with spaces or control characters (it could not be sent in a header or a
    ///   URL as it is).
    public init(arguments: [String]) throws(FunctionKeyError) {
        self.init()
        for argument in arguments {
            var key = argument
            var function: FunctionName?
            if let equals = argument.firstIndex(of: "="),
                argument[equals...].contains(where: { $0 != "=" })
                    || FunctionName(name: String(argument[..<equals])) != nil
            {
                // The name is not repeated in the error: it may be the start of a key.
                guard let named = FunctionName(name: String(argument[..<equals])) else {
                    throw FunctionKeyError(
                        "in FUNCTION=KEY, FUNCTION must be one of "
                            + FunctionName.allCases.map(\.rawValue).joined(separator: ", "))
                }
                function = named
                key = String(argument[argument.index(after: equals)...])
            }
            guard !key.isEmpty else {
                throw FunctionKeyError("the function key for \(function?.rawValue ?? "all functions") is empty")
            }
            guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else {
                throw FunctionKeyError("a function key must not contain spaces or control characters")
            }
            if let function {
                functionKeys[function, default: []].insert(key)
            } else {
                hostKeys.insert(key)
            }
        }
    }

    /// Whether no key is configured (keys are then not required).
    public var isEmpty: Bool { hostKeys.isEmpty && functionKeys.values.allSatisfy(\.isEmpty) }

    /// Whether `key` may call `function`: it is a host key or one of the function's keys.
    /// Compared in time independent of where the key differs. `false` for `nil`, also when no
    /// keys are configured (the host decides whether keys are required; see ``isEmpty``).
    public func accepts(_ key: String?, for function: FunctionName) -> Bool {
        guard let key else { return false }
        var accepted = false
        // Every candidate is compared, so the time does not say which one (nearly) matched.
        for candidate in hostKeys.union(functionKeys[function] ?? []) where ConstantTime.equal(key, candidate) {
            accepted = true
        }
        return accepted
    }

    /// The presented key: the `x-functions-key` header, else the `code` query parameter.
    /// An empty value counts as none.
    static func presented(header: String?, query: String?) -> String? {
        if let header, !header.isEmpty { return header }
        if let query, !query.isEmpty { return query }
        return nil
    }

    /// How many keys of each kind, without the keys.
    public var description: String {
        let perFunction = FunctionName.allCases.compactMap { name -> String? in
            guard let count = functionKeys[name]?.count, count > 0 else { return nil }
            return "\(name.rawValue): \(count)"
        }
        return
            "FunctionKeys(host: \(hostKeys.count)\(perFunction.isEmpty ? "" : ", " + perFunction.joined(separator: ", ")))"
    }

    /// Without the keys, for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// A function key that cannot be used, with a sentence saying why (never the key itself).
public struct FunctionKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The sentence.
    public var description: String
    /// An error with the given sentence.
    public init(_ description: String) { self.description = description }
}
