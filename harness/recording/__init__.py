"""Record and replay of harness sessions (issue 16): ``--record DIR`` keeps every RPC and reply
of a run (and a lab router's clock readings and fault commands); ``--replay DIR`` runs the same
tests offline from it, failing with a named error when a test asks for something not recorded.

- :mod:`.transport`: how a router reaches the world (:class:`Transport`, :data:`LIVE`);
- :mod:`.tape`: the recording on disk, per test and channel;
- :mod:`.record`: the real world, kept; :mod:`.replay`: the recording, answered;
- :mod:`.pytest_side`: the options' plugin objects.
"""

from harness.recording.replay import ReplayError, ReplayMismatchError, ReplayMissingError
from harness.recording.tape import RecordingError
from harness.recording.transport import LIVE, LiveTransport, Transport

__all__ = ["LIVE", "LiveTransport", "RecordingError", "ReplayError", "ReplayMismatchError",
           "ReplayMissingError", "Transport"]
