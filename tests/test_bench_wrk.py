"""The forms benchmark reads wrk's report right, whatever numbers its thread statistics end with."""

from __future__ import annotations

from bench.forms_load import parse_wrk

# A real `wrk --latency` report whose Req/Sec line ends in "75.50%": an unanchored "50%" pattern
# read the next word, "Latency", as the median (the ValueError of issue 13).
REPORT = """\
Running 8s test @ http://127.0.0.1:41233/e-tjanster/storgardens-vardcentral/skicka-meddelande/sida/1/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    79.60ms   90.12ms   1.02s    89.12%
    Req/Sec   283.51    120.40   600.00     75.50%
  Latency Distribution
     50%   62.80ms
     75%   98.10ms
     90%  160.30ms
     99%  555.90ms
  4530 requests in 8.01s, 52.12MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:    565.55
Transfer/sec:      6.51MB
"""


def test_percentiles_come_from_the_latency_distribution_lines() -> None:
    result = parse_wrk(REPORT)
    assert (result.rps, result.p50_ms, result.p99_ms) == (565.55, 62.8, 555.9)


def test_failed_responses_and_socket_errors_are_counted() -> None:
    assert parse_wrk(REPORT).errors == 3 + 1 + 2
