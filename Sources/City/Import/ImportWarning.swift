/// How an import words what it left out, so that a report can count it.
///
/// A feature that is broken in the file (an unclosed building outline, a way through nodes the
/// file does not hold, a relation whose members close no ring) is not imported; the import goes
/// on and says so in ``CityModel/warnings``, one warning per feature, naming it:
/// `way 5: building outline is not closed; skipped`. A street cut at the edge of an extract keeps
/// its pieces inside and is named in a warning of its own.
enum ImportWarning {
    static let skippedSuffix = "; skipped"
    static let cutMarker = "cut at the extract's edge"

    /// `way 5: building outline is not closed; skipped`.
    static func skipped(_ element: String, _ reason: String) -> String { "\(element): \(reason)\(skippedSuffix)" }

    static func skipped(_ error: ImportError) -> String { skipped(error.element, error.reason) }

    /// `way 9: street cut at the extract's edge (3 of 10 nodes missing); kept 2 pieces inside`.
    static func cut(_ element: String, missing: Int, of count: Int, pieces: Int) -> String {
        "\(element): street \(cutMarker) (\(missing) of \(count) nodes missing); kept \(pieces) piece\(pieces == 1 ? "" : "s") inside"
    }
}

extension CityModel {
    /// The warnings that name a feature the import left out (broken in the file, or reaching past
    /// the edge of the extract): one per feature.
    public var skippedFeatures: [String] { warnings.filter { $0.hasSuffix(ImportWarning.skippedSuffix) } }

    /// The warnings that name a street cut at the edge of the extract, of which the pieces inside
    /// were kept: one per street.
    public var cutStreets: [String] {
        warnings.filter { !$0.hasSuffix(ImportWarning.skippedSuffix) && $0.contains(ImportWarning.cutMarker) }
    }
}
