"""A C2SP tlog-witness: remembers each known log's latest tree and cosigns only trees that
extend it (c2sp.org/tlog-witness, cosignatures per c2sp.org/tlog-cosignature)."""
