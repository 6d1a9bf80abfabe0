extension QRCode {
    /// The code as a compact SVG document for a web page or print: a white square (the code and
    /// its quiet zone) and one black path of the dark modules, one rectangle per horizontal run,
    /// drawn with crisp edges so that modules stay sharp at any zoom.
    ///
    /// - Parameters:
    ///   - moduleSize: pixels (CSS px) per module in the `width` and `height` attributes; the
    ///     drawing itself is in module units, so CSS may scale it freely.
    ///   - quietZone: light modules around the code; readers need 4 (ISO/IEC 18004, 6.3.8).
    public func svg(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        precondition(moduleSize > 0 && quietZone >= 0, "moduleSize must be positive and quietZone not negative")
        let side = size + 2 * quietZone
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else { x += 1; continue }
                let start = x
                while x < size && self[x, y] { x += 1 }
                path += "M\(start + quietZone) \(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        let pixels = side * moduleSize
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
