import Foundation
@testable import QRCode

/// What the test asks segno, an independent encoder (PyPI `segno`), about one text.
struct SegnoRequest: Encodable {
    /// The text's UTF-8 bytes in hex (segno is given bytes, so it cannot pick another encoding).
    var hex: String
    var correction: String
    /// nil lets segno choose the smallest version, as `QRCode.init` does.
    var version: Int?
    /// nil lets segno choose the mask by its penalty evaluation.
    var mask: Int?
    /// Also score all eight masks of this version with segno's penalty evaluation.
    var penalties = false
    /// Instead of a code: does a text of this many bytes fit this version (it must), and one byte more (it must not)?
    var capacity: Int?

    init(_ text: String, correction: QRCode.Correction, version: Int? = nil, mask: Int? = nil, penalties: Bool = false) {
        hex = text.utf8.map { String(format: "%02x", $0) }.joined()
        self.correction = correction.description.lowercased()
        self.version = version
        self.mask = mask
        self.penalties = penalties
    }

    init(capacity: Int, version: Int, correction: QRCode.Correction) {
        self.init("", correction: correction, version: version)
        self.capacity = capacity
    }
}

struct SegnoAnswer: Decodable {
    var version: Int
    var mask: Int
    /// The modules, one string of 0 and 1 per row, as segno drew them.
    var rows: [String]
    /// segno's penalty of each mask (when asked).
    var penalties: [Int]?
    /// For a capacity question: whether that many bytes fitted, and whether one more did.
    var fits: Bool?
    var oneMoreFits: Bool?
}

/// Runs segno on every request in one Python process.
func askSegno(_ requests: [SegnoRequest]) throws -> [SegnoAnswer] {
    try withTemporaryDirectory { dir in
        let input = dir.appendingPathComponent("requests.json")
        try JSONEncoder().encode(requests).write(to: input)
        let result = try runPeer(["python3", "-c", segnoScript, input.path])
        guard result.status == 0 else {
            throw PeerFailure(description: "segno failed (status \(result.status)): \(result.error.suffix(2000))")
        }
        let answers = try JSONDecoder().decode([SegnoAnswer].self, from: result.output)
        guard answers.count == requests.count else { throw PeerFailure(description: "segno answered \(answers.count) of \(requests.count)") }
        return answers
    }
}

/// The rows of our code in segno's notation.
func rows(_ code: QRCode) -> [String] {
    (0..<code.size).map { y in String((0..<code.size).map { code[$0, y] ? "1" : "0" }) }
}

private let segnoScript = #"""
import json, sys
try:
    import segno
    import segno.encoder as encoder
except ImportError as error:
    sys.exit(f"{error}: install the test peers with python3 -m pip install -r scripts/requirements-test.txt")

# segno 1.6 adds a whole zero codeword when the bit stream already ends on a codeword boundary
# (heuer/segno issue 148); ISO/IEC 18004 7.4.10 adds padding bits only to reach the next boundary.
# A byte-mode stream always ends on one after its terminator, so unpatched every code not filled to
# capacity would differ from a conforming encoder in its pad codewords (readers ignore them).
if not hasattr(encoder, "write_padding_bits"):
    sys.exit("segno.encoder.write_padding_bits is gone: check whether segno issue 148 is fixed")
def padding_to_boundary(buff, version, length):
    buff.extend([0] * ((8 - length % 8) % 8))
encoder.write_padding_bits = padding_to_boundary

def make(data, request, version=None, mask=None):
    return segno.make(data, error=request["correction"], mode="byte", boost_error=False, micro=False,
                      version=version, mask=mask)

def before_format(code):
    # The masked symbol as the standard scores it: format and version areas and the dark module
    # not yet written (light).
    rows = [bytearray(row) for row in code.matrix]
    n = len(rows)
    for i in range(9):
        if i != 6:
            rows[8][i] = rows[i][8] = 0
    for i in range(8):
        rows[8][n - 1 - i] = rows[n - 1 - i][8] = 0
    if code.version >= 7:
        for a in range(6):
            for b in range(n - 11, n - 8):
                rows[a][b] = rows[b][a] = 0
    return tuple(rows)

answers = []
for request in json.load(open(sys.argv[1])):
    if request.get("capacity") is not None:
        def fits(count):
            try:
                make(b"a" * count, request, request["version"], 0)
                return True
            except segno.DataOverflowError:
                return False
        n = request["capacity"]
        answers.append({"version": request["version"], "mask": 0, "rows": [],
                        "fits": fits(n), "oneMoreFits": fits(n + 1)})
        continue
    data = bytes.fromhex(request["hex"])
    code = make(data, request, request.get("version"), request.get("mask"))
    answer = {"version": code.version, "mask": code.mask,
              "rows": ["".join("1" if module else "0" for module in row) for row in code.matrix]}
    if request.get("penalties"):
        answer["penalties"] = []
        for mask in range(8):
            masked = make(data, request, code.version, mask)
            size = len(masked.matrix)
            answer["penalties"].append(encoder.evaluate_mask(before_format(masked), size, size))
    answers.append(answer)
json.dump(answers, sys.stdout)
"""#
