import Foundation

/// What can go wrong saving or loading a checkpoint; each case names the file and the problem.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case writeFailed(path: String, reason: String)
  /// The file ends before its declared contents (an interrupted copy, say).
  case truncated(path: String)
  /// Wrong magic, unknown version, or a checksum that does not match the contents.
  case corrupted(path: String, reason: String)
  /// The file is intact but describes a different model or optimizer.
  case mismatch(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read checkpoint \(path): \(reason)"
    case .writeFailed(let path, let reason): "cannot write checkpoint \(path): \(reason)"
    case .truncated(let path): "checkpoint \(path) is truncated"
    case .corrupted(let path, let reason): "checkpoint \(path) is corrupted: \(reason)"
    case .mismatch(let path, let reason): "checkpoint \(path) does not match: \(reason)"
    }
  }
}

/// Saves and restores a model's parameters and its optimizer's state (including the loss
/// scaler's), bit for bit.
///
/// Format (little-endian): the magic `MNTSCKP1`, a UInt32 version (1), a UInt64 payload length,
/// the payload, and an FNV-1a 64-bit checksum of the payload. The payload holds the parameters
/// (name, shape, Float32 values), then the optimizer (kind, applied steps, learning rate, state
/// tensors), then the scaler (present flag, scale, growth tracker, skipped steps). Saving
/// writes a temporary file and renames it over the target, so an interrupted or failed save
/// leaves the previous checkpoint intact; loading checks everything before changing anything.
public enum Checkpoint {
  static let magic = Array("MNTSCKP1".utf8)
  static let version: UInt32 = 1

  public static func save(model: Sequential, optimizer: Optimizer? = nil, to url: URL) throws {
    var payload = Writer()
    let parameters = model.parameters
    payload.int(parameters.count)
    for p in parameters { payload.tensor(p.value, name: p.name) }
    if let optimizer {
      payload.string(optimizer.kind)
      payload.int(optimizer.appliedSteps)
      payload.float(optimizer.learningRate)
      let state = optimizer.stateTensors
      payload.int(state.count)
      for (i, t) in state.enumerated() {
        payload.int(t == nil ? 0 : 1)
        if let t { payload.tensor(t, name: "state\(i)") }
      }
      payload.int(optimizer.scaler == nil ? 0 : 1)
      if let s = optimizer.scaler {
        payload.float(s.scale)
        payload.int(s.growthTracker)
        payload.int(s.skippedSteps)
      }
    } else {
      payload.string("none")
    }
    var file = Writer()
    file.bytes.append(contentsOf: magic)
    file.uint32(version)
    file.uint64(UInt64(payload.bytes.count))
    file.bytes.append(contentsOf: payload.bytes)
    file.uint64(fnv1a(payload.bytes))
    do {
      try Data(file.bytes).write(to: url, options: .atomic)
    } catch {
      throw CheckpointError.writeFailed(path: url.path, reason: error.localizedDescription)
    }
  }

  public static func load(into model: Sequential, optimizer: Optimizer? = nil, from url: URL)
    throws
  {
    let path = url.path
    let data: [UInt8]
    do {
      data = Array(try Data(contentsOf: url))
    } catch {
      throw CheckpointError.unreadable(path: path, reason: error.localizedDescription)
    }
    guard data.count >= magic.count + 12 else {
      if data.starts(with: magic.prefix(data.count)) { throw CheckpointError.truncated(path: path) }
      throw CheckpointError.corrupted(path: path, reason: "not a Mantissa checkpoint")
    }
    guard Array(data[0..<magic.count]) == magic else {
      throw CheckpointError.corrupted(path: path, reason: "not a Mantissa checkpoint")
    }
    var header = Reader(bytes: data, position: magic.count, path: path)
    let fileVersion = try header.uint32()
    guard fileVersion == version else {
      throw CheckpointError.corrupted(path: path, reason: "unknown version \(fileVersion)")
    }
    let length = Int(try header.uint64())
    let start = header.position
    guard data.count - start >= length + 8 else { throw CheckpointError.truncated(path: path) }
    let payloadBytes = Array(data[start..<(start + length)])
    var trailer = Reader(bytes: data, position: start + length, path: path)
    guard try trailer.uint64() == fnv1a(payloadBytes) else {
      throw CheckpointError.corrupted(path: path, reason: "checksum mismatch")
    }
    guard data.count == start + length + 8 else {
      throw CheckpointError.corrupted(path: path, reason: "trailing bytes")
    }

    // Parse and check everything into temporaries; the model changes only at the end.
    var r = Reader(bytes: payloadBytes, position: 0, path: path)
    let parameters = model.parameters
    let count = try r.int()
    guard count == parameters.count else {
      throw CheckpointError.mismatch(
        path: path, reason: "\(count) parameters in the file, \(parameters.count) in the model")
    }
    var values: [[Float]] = []
    for p in parameters {
      let (name, shape, v) = try r.tensor()
      guard name == p.name, shape == p.value.shape else {
        throw CheckpointError.mismatch(
          path: path,
          reason: "parameter \(name) \(shape) in the file, \(p.name) \(p.value.shape) in the model")
      }
      values.append(v)
    }
    let kind = try r.string()
    var optimizerState: (steps: Int, rate: Float, tensors: [[Float]?], scaler: (Float, Int, Int)?)?
    if kind != "none" {
      let steps = try r.int()
      let rate = try r.float()
      let n = try r.int()
      var tensors: [[Float]?] = []
      for _ in 0..<n {
        if try r.int() == 1 { tensors.append(try r.tensor().2) } else { tensors.append(nil) }
      }
      var scaler: (Float, Int, Int)?
      if try r.int() == 1 { scaler = (try r.float(), try r.int(), try r.int()) }
      optimizerState = (steps, rate, tensors, scaler)
    }
    if let optimizer {
      guard let state = optimizerState, kind == optimizer.kind else {
        throw CheckpointError.mismatch(
          path: path, reason: "optimizer \(kind) in the file, \(optimizer.kind) given")
      }
      let expected = optimizer.stateShapes
      guard state.tensors.count == expected.count,
        zip(state.tensors, expected).allSatisfy({ $0 == nil || $0!.count == $1 })
      else {
        throw CheckpointError.mismatch(path: path, reason: "optimizer state has other shapes")
      }
      guard (state.scaler == nil) == (optimizer.scaler == nil) else {
        throw CheckpointError.mismatch(
          path: path, reason: "loss scaler present in one of file and optimizer only")
      }
    }
    // Commit.
    for (p, v) in zip(parameters, values) {
      v.withUnsafeBufferPointer { p.value.floats.update(from: $0.baseAddress!, count: v.count) }
      p.prepare(for: model.precision)
    }
    if let optimizer, let state = optimizerState {
      optimizer.restore(appliedSteps: state.steps, learningRate: state.rate, tensors: state.tensors)
      if let (scale, tracker, skipped) = state.scaler {
        optimizer.scaler?.restore(scale: scale, growthTracker: tracker, skippedSteps: skipped)
      }
    }
  }

  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      hash ^= UInt64(b)
      hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
  }

  struct Writer {
    var bytes: [UInt8] = []
    mutating func uint32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func uint64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func int(_ v: Int) { uint64(UInt64(bitPattern: Int64(v))) }
    mutating func float(_ v: Float) { uint32(v.bitPattern) }
    mutating func string(_ s: String) {
      let utf8 = Array(s.utf8)
      int(utf8.count)
      bytes += utf8
    }
    mutating func tensor(_ t: Tensor, name: String) {
      string(name)
      int(t.shape.count)
      for d in t.shape { int(d) }
      for i in 0..<t.count { float(t.floats[i]) }
    }
  }

  struct Reader {
    let bytes: [UInt8]
    var position: Int
    let path: String

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
      guard n >= 0, bytes.count - position >= n else { throw CheckpointError.truncated(path: path) }
      defer { position += n }
      return bytes[position..<(position + n)]
    }
    mutating func uint32() throws -> UInt32 {
      try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func uint64() throws -> UInt64 {
      try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    mutating func int() throws -> Int {
      let v = Int64(bitPattern: try uint64())
      guard v >= 0 && v < Int64(Int32.max) else {
        throw CheckpointError.corrupted(path: path, reason: "a count of \(v)")
      }
      return Int(v)
    }
    mutating func float() throws -> Float { Float(bitPattern: try uint32()) }
    mutating func string() throws -> String {
      let n = try int()
      return String(decoding: try take(n), as: UTF8.self)
    }
    mutating func tensor() throws -> (String, [Int], [Float]) {
      let name = try string()
      let rank = try int()
      guard rank >= 1 && rank <= 8 else {
        throw CheckpointError.corrupted(path: path, reason: "tensor \(name) of rank \(rank)")
      }
      let shape = try (0..<rank).map { _ in try int() }
      let count = shape.reduce(1, *)
      guard count <= (bytes.count - position) / 4 else {
        throw CheckpointError.truncated(path: path)
      }
      return (name, shape, try (0..<count).map { _ in try float() })
    }
  }
}
