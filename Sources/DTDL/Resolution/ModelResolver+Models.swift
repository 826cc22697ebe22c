import ADTWire

extension ModelResolver {
    /// The resolved model of an interface element, built once (bases first).
    mutating func model(_ interface: ParsedElement) -> InterfaceModel? {
        if let cached = models[interface.id] { return cached }
        guard !failed.contains(interface.id) else { return nil }
        var properties: [String: PropertyModel] = [:]
        var telemetries: [String: TelemetryModel] = [:]
        var relationships: [String: RelationshipModel] = [:]
        var components: [String: ComponentModel] = [:]
        var commands: Set<String> = []
        var allBases: Set<String> = []
        let baseIDs = bases(of: interface)
        for baseID in baseIDs {
            let baseModel: InterfaceModel?
            if let baseElement = byID[baseID] {
                baseModel = model(baseElement)
            } else {
                baseModel = existing.interfaces[baseID]
            }
            guard let baseModel else { return nil }
            if allBases.isEmpty {
                // The first base's tables are shared (copy on write).
                allBases = baseModel.allBases
                allBases.insert(baseID)
                properties = baseModel.properties
                telemetries = baseModel.telemetries
                relationships = baseModel.relationships
                components = baseModel.components
                commands = baseModel.commandNames
                continue
            }
            allBases.insert(baseID)
            allBases.formUnion(baseModel.allBases)
            properties.merge(baseModel.properties) { current, _ in current }
            telemetries.merge(baseModel.telemetries) { current, _ in current }
            relationships.merge(baseModel.relationships) { current, _ in current }
            components.merge(baseModel.components) { current, _ in current }
            commands.formUnion(baseModel.commandNames)
        }
        var ownNames: Set<String> = []
        for content in ownContents(of: interface) {
            guard let name = content.name else { continue }
            ownNames.insert(name)
            switch content.elementClass {
            case .property:
                guard let property = propertyModel(content) else { continue }
                properties[name] = property
            case .telemetry:
                guard let telemetrySchema = firstSchema(content, "schema") else { continue }
                telemetries[name] = TelemetryModel(name: name, schema: telemetrySchema)
            case .relationship:
                relationships[name] = relationshipModel(content, name: name)
            case .component:
                guard let reference = content.children["schema"]?.first,
                    let target = element(reference)?.id ?? referencedID(reference)
                else { continue }
                components[name] = ComponentModel(name: name, schema: target)
            case .command:
                commands.insert(name)
            default: break
            }
        }
        let interfaceModel = InterfaceModel(
            id: interface.id, dtdlVersion: interface.version, directBases: baseIDs, allBases: allBases,
            properties: properties, telemetries: telemetries, relationships: relationships, components: components,
            commandNames: commands, displayName: interface.langStrings["displayName"] ?? [:],
            description: interface.langStrings["description"] ?? [:], definition: interface.definition ?? JSONObject(),
            ownContentNames: ownNames)
        models[interface.id] = interfaceModel
        return interfaceModel
    }

    /// A Relationship's model, with the models of its properties.
    private mutating func relationshipModel(_ relationship: ParsedElement, name: String) -> RelationshipModel {
        var relationshipProperties: [String: PropertyModel] = [:]
        for reference in relationship.children["properties"] ?? [] {
            if let propertyElement = element(reference), let property = propertyModel(propertyElement),
                let propertyName = propertyElement.name
            {
                relationshipProperties[propertyName] = property
            }
        }
        return RelationshipModel(
            name: name, target: relationship.strings["target"], properties: relationshipProperties,
            minMultiplicity: relationship.integers["minMultiplicity"].map { Int($0) },
            maxMultiplicity: relationship.integers["maxMultiplicity"].map { Int($0) })
    }

    /// The DTMI a reference names, if it is a reference by id.
    private func referencedID(_ reference: Reference) -> String? {
        if case .id(let id) = reference { return id }
        return nil
    }

    /// A Property's model; in DTDL v2 its schema may not contain an Array anywhere.
    private mutating func propertyModel(_ property: ParsedElement) -> PropertyModel? {
        guard let name = property.name, let propertySchema = firstSchema(property, "schema") else { return nil }
        if property.version == 2, containsArray(propertySchema) {
            issues.add(
                "excludedType", primary: property.id, secondary: arrayID(propertySchema), property: "schema",
                value: "Array", restriction: "Array", type: "Property",
                document: property.documentIndex,
                detail: "a DTDL v2 Property schema cannot contain an Array")
            return nil
        }
        return PropertyModel(name: name, schema: propertySchema, writable: property.booleans["writable"] ?? false)
    }

    /// The id of the first Array (or geospatial schema) inside a schema.
    private func arrayID(_ schema: Schema) -> String? {
        switch schema {
        case .array(let array): return array.id
        case .primitive(let primitive): return "dtmi:standard:schema:geospatial:\(primitive.rawValue);2"
        case .enumeration: return nil
        case .map(let map): return arrayID(map.valueSchema)
        case .object(let object):
            return object.fields.lazy.compactMap { containsArray($0.schema) ? arrayID($0.schema) : nil }.first
        }
    }

    /// Whether a schema contains an Array (or a geospatial schema) anywhere.
    private func containsArray(_ schema: Schema) -> Bool {
        switch schema {
        case .array: return true
        // Geospatial schemas are arrays of coordinates underneath, so v2 excludes them too.
        case .primitive(let primitive):
            switch primitive {
            case .point, .multiPoint, .lineString, .multiLineString, .polygon, .multiPolygon: return true
            default: return false
            }
        case .enumeration: return false
        case .map(let map): return containsArray(map.valueSchema)
        case .object(let object): return object.fields.contains { containsArray($0.schema) }
        }
    }

    /// Resolves the first value of a schema-valued property.
    mutating func firstSchema(_ owner: ParsedElement, _ property: String) -> Schema? {
        guard let reference = owner.children[property]?.first else { return nil }
        return schema(reference, owner: owner)
    }

    /// A component's interface may not have components itself (no nesting, no cycles).
    mutating func checkComponents(_ interfaces: [String: InterfaceModel]) {
        // An interface that reaches itself through component schemas is recursive.
        for interface in elements where interface.elementClass == .interface {
            var seen: Set<String> = []
            var frontier = Array(interfaces[interface.id]?.components.values.map(\.schema) ?? [])
            while let next = frontier.popLast() {
                if next == interface.id {
                    issues.add(
                        "recursiveStructureNarrow", primary: interface.id, property: "contents",
                        document: interface.documentIndex,
                        detail: "'\(interface.id)' contains itself through component schemas")
                    break
                }
                guard seen.insert(next).inserted else { continue }
                frontier.append(contentsOf: interfaces[next]?.components.values.map(\.schema) ?? [])
            }
        }
        for component in elements where component.elementClass == .component {
            guard let reference = component.children["schema"]?.first,
                let target = element(reference)?.id ?? referencedID(reference),
                let targetModel = interfaces[target]
            else { continue }
            if !targetModel.components.isEmpty {
                issues.add(
                    "excludedType", primary: component.id, secondary: target, property: "'schema' or 'contents'",
                    value: "Component", restriction: "Component", type: "Component",
                    document: component.documentIndex,
                    detail: "component '\(component.name ?? "")' uses '\(target)', which has components itself; "
                        + "components cannot be nested")
            }
        }
    }
}
