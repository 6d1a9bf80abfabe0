import Media

extension Camera {
    /// Checks every field and returns all problems, each naming its field as the API spells it.
    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(FieldError(field: field, message: message)) }
        }
        let trimmedName = name.trimmingWhitespace()
        check(!trimmedName.isEmpty, "name", "must not be empty")
        check(name.count <= 200, "name", "must be at most 200 characters")
        if let problem = RTSPURL.problem(rtspURL) {
            errors.append(FieldError(field: "rtspUrl", message: problem))
        }
        check(username.map { $0.count <= 200 } ?? true, "username", "must be at most 200 characters")
        check(password.map { $0.count <= 200 } ?? true, "password", "must be at most 200 characters")
        if let sub = subStream {
            if let problem = RTSPURL.problem(sub.rtspURL) {
                errors.append(FieldError(field: "subStream.rtspUrl", message: problem))
            } else if sub.rtspURL == rtspURL {
                errors.append(FieldError(field: "subStream.rtspUrl", message: "is the main stream's address; a sub stream has its own (or leave it out)"))
            }
            check(sub.username.map { $0.count <= 200 } ?? true, "subStream.username", "must be at most 200 characters")
            check(sub.password.map { $0.count <= 200 } ?? true, "subStream.password", "must be at most 200 characters")
        }
        check(latitude.isFinite && (-90...90).contains(latitude), "location.lat", "must be a latitude between -90 and 90")
        check(longitude.isFinite && (-180...180).contains(longitude), "location.lon", "must be a longitude between -180 and 180")
        check(heading.isFinite && heading >= 0 && heading < 360, "heading", "must be in degrees from 0 (north) up to but not including 360")
        check(fieldOfView.isFinite && fieldOfView > 0 && fieldOfView <= 360, "fieldOfView", "must be more than 0 and at most 360 degrees")
        check(range.isFinite && range > 0 && range <= 2000, "range", "must be more than 0 and at most 2000 metres")
        check(mountingHeight.isFinite && mountingHeight >= 0 && mountingHeight <= 200, "mountingHeight", "must be between 0 and 200 metres")
        check(address.count <= 500, "address", "must be at most 500 characters")
        check(district.count <= 200, "district", "must be at most 200 characters")
        return errors
    }

    /// Throws ``ValidationFailure`` listing every invalid field.
    public func validate() throws(ValidationFailure) {
        let errors = validationErrors()
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = self[...]
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}
