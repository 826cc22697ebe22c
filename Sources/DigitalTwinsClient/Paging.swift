import ADTWire

/// A page of a paged ADT response.
public protocol Page: Sendable {
    /// The item type.
    associatedtype Item: Sendable
    /// The page's items, in order.
    var items: [Item] { get }
}

/// A page of a list operation (`{"value": [...], "nextLink": "..."}`).
public struct ListPage<Item: Sendable>: Page {
    /// The items.
    public var items: [Item]
    /// The URL of the next page; `nil` on the last.
    public var nextLink: String?
}

/// A page of query results (`{"value": [...], "continuationToken": "..."}` and the
/// `query-charge` header).
public struct QueryPage: Page {
    /// The result rows: twins, relationships, or projection objects.
    public var items: [JSONValue]
    /// The query units this page cost (the `query-charge` header), when sent.
    public var queryCharge: Double?
    /// The token for the next page; `nil` on the last.
    public var continuationToken: String?
}

/// The pages of a paged call, fetched lazily one at a time as the sequence is iterated.
/// Each iteration starts again from the first page.
public struct PageSequence<P: Page>: AsyncSequence, Sendable {
    /// The element type.
    public typealias Element = P
    /// Fetches the page at a cursor (`nil`: the first) and returns it with the next cursor.
    typealias Fetch = @Sendable (_ cursor: String?) async throws -> (page: P, next: String?)
    let fetch: Fetch

    init(fetch: @escaping Fetch) { self.fetch = fetch }

    /// The items of every page, in order.
    public var items: ItemSequence<P> { ItemSequence(pages: self) }

    /// The same pages, starting at the page a cursor from an earlier iteration names (a query's
    /// `continuationToken`, a list's `nextLink`); from the first page when `cursor` is `nil`.
    /// Lets a long walk resume after an interruption.
    public func starting(at cursor: String?) -> PageSequence<P> {
        PageSequence { [fetch] next in try await fetch(next ?? cursor) }
    }

    /// Starts iterating from the first page.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fetch: fetch) }

    /// Every page, fetched now.
    public func collect() async throws -> [P] {
        var pages: [P] = []
        for try await page in self { pages.append(page) }
        return pages
    }

    /// Iterates the pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let fetch: Fetch
        var cursor: String?
        var done = false
        var started = false

        /// The next page, or `nil` after the last. Throws ``ADTError``.
        public mutating func next() async throws -> P? {
            guard !done else { return nil }
            let current = cursor
            let (page, next) = try await fetch(started ? current : nil)
            started = true
            if let next, !next.isEmpty {
                // A cursor that does not move would page forever.
                guard next != current else {
                    done = true
                    throw ADTError.invalidResponse("the service returned the same page cursor twice")
                }
                cursor = next
            } else {
                done = true
            }
            return page
        }
    }
}

/// The items of a paged call across all its pages, fetched lazily page by page.
public struct ItemSequence<P: Page>: AsyncSequence, Sendable {
    /// The element type.
    public typealias Element = P.Item
    /// The underlying pages (for per-page data such as the query charge).
    public let pages: PageSequence<P>

    /// Starts iterating from the first page.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: pages.makeAsyncIterator()) }

    /// Every item, fetched now.
    public func collect() async throws -> [Element] {
        var items: [Element] = []
        for try await item in self { items.append(item) }
        return items
    }

    /// Iterates the items.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var pages: PageSequence<P>.AsyncIterator
        var buffer: [P.Item] = []
        var index = 0

        /// The next item, or `nil` after the last page. Throws ``ADTError``.
        public mutating func next() async throws -> P.Item? {
            while index >= buffer.count {
                guard let page = try await pages.next() else { return nil }
                buffer = page.items
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}
