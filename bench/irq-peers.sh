#!/bin/bash
# Seed 003, measured: kstall's softirq and hardirq timing against
# libbpf-tools softirqs and hardirqs in the same run, and what each costs
# a UDP flood over a veth pair.
#
#   bench/irq-peers.sh [SECONDS] [ROUNDS]      (default 5 s, 3 rounds)
#
# Two network namespaces joined by a veth pair are made here and removed
# on exit (trap), RPS on the receiving side steering to both CPUs. The
# sender floods for SECONDS + 4 s; meanwhile, per round:
#   agreement  kstall watch, softirqs and hardirqs all run for the same
#              SECONDS, started together: total handler time per softirq
#              vector and per hardirq handler, kstall against the peers
#   overhead   the receiver's datagrams/s with nothing attached, with
#              kstall watch, and with softirqs + hardirqs (the tools run
#              through the flood but its first second)
# Medians of ROUNDS. Nothing on the host changes: the namespaces, their
# veth and its rps_cpus go away with the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
ROUNDS=${2:-3}
make -s kstall build/tests/helpers/udpflood
[ -x /usr/sbin/softirqs ] || ./tools/deps.sh libbpf-tools
. bench/lib.sh
tmp=$(mktemp -d)
TX=kbtx$$ RX=kbrx$$
# what runs in the namespaces is stopped first (on_exit): deleting a
# namespace does not end its processes
cleanup() { ip netns del $TX 2>/dev/null || true; ip netns del $RX 2>/dev/null || true; rm -rf "$tmp"; }
on_exit cleanup
ip netns add $TX; ip netns add $RX
ip link add vtx netns $TX type veth peer name vrx netns $RX
ip -n $TX addr add 10.214.0.1/24 dev vtx; ip -n $RX addr add 10.214.0.2/24 dev vrx
ip -n $TX link set vtx up; ip -n $RX link set vrx up
ip netns exec $RX sh -c 'echo 3 > /sys/class/net/vrx/queues/rx-0/rps_cpus'
U=build/tests/helpers/udpflood
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# flood: start receiver and sender for SECONDS + 4; prints the receiver's rate at the end
flood_start() {
	ip netns exec $RX $U recv 9000 $((SECS + 5)) > "$tmp/rx.out" &
	rxpid=$!
	started $rxpid
	sleep 0.3
	ip netns exec $TX $U send 10.214.0.2 9000 $((SECS + 4)) > /dev/null &
	txpid=$!
	started $txpid
	sleep 1
}
flood_rate() { wait $txpid $rxpid; reaped $txpid $rxpid; awk '{print $4}' "$tmp/rx.out"; }

printf 'softirq/hardirq timing on a veth flood, %s s x %s rounds, kernel %s\n\n' "$SECS" "$ROUNDS" "$(uname -r)"
: > "$tmp/agree"
for r in $(seq "$ROUNDS"); do
	flood_start
	./kstall watch --duration "$SECS" --format json > "$tmp/k.json" &
	k=$!
	/usr/sbin/softirqs -N "$SECS" 1 > "$tmp/s.out" 2>/dev/null &
	s=$!
	/usr/sbin/hardirqs -N "$SECS" 1 > "$tmp/h.out" 2>/dev/null &
	h=$!
	started $k $s $h
	wait $k $s $h; reaped $k $s $h
	flood_rate > /dev/null
	python3 - "$tmp" >> "$tmp/agree" <<'EOF'
import json, sys, re
d = sys.argv[1]
k = json.load(open(d + "/k.json"))
soft, hard = {}, {}
for x in k["traced"]["irqs"]:
    if x["kind"] == "softirq":
        soft[x["vector"].lower()] = soft.get(x["vector"].lower(), 0) + x["total_s"] * 1e9
    elif x["kind"] == "hardirq":
        hard[x["handler"]] = hard.get(x["handler"], 0) + x["total_s"] * 1e9
def peer(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*(\S+)\s+(\d+)\s*$", line)
        if m and m.group(1) not in ("SOFTIRQ", "HARDIRQ"):
            out[m.group(1)] = int(m.group(2))
    return out
for name, mine, theirs in (("softirq", soft, peer(d + "/s.out")), ("hardirq", hard, peer(d + "/h.out"))):
    for key, ns in theirs.items():
        if ns >= 1e6 and key in mine:   # at least 1 ms of handler time
            print(f"{name} {key} {mine[key] / ns:.3f} {mine[key] / 1e6:.1f} {ns / 1e6:.1f}")
EOF
done
printf 'agreement: total handler time, kstall / peer (median of rounds; ms kstall vs peer)\n'
for key in $(awk '{print $1 ":" $2}' "$tmp/agree" | sort -u); do
	ratio=$(awk -v k="$key" '$1 ":" $2 == k {print $3}' "$tmp/agree" | median)
	ms=$(awk -v k="$key" '$1 ":" $2 == k {print $4 " vs " $5; exit}' "$tmp/agree")
	printf '  %-28s %6.3f   (%s ms)\n' "$key" "$ratio" "$ms"
done

printf '\noverhead: receiver datagrams/s\n'
base=""
for mode in none kstall peers; do
	: > "$tmp/rates"
	for r in $(seq "$ROUNDS"); do
		flood_start
		case $mode in
		# the tools cover the flood but its first second
		kstall) ./kstall watch --duration $((SECS + 3)) --format json > /dev/null & pids=$! ;;
		peers) /usr/sbin/softirqs $((SECS + 3)) 1 > /dev/null 2>&1 & pids=$!
		       /usr/sbin/hardirqs $((SECS + 3)) 1 > /dev/null 2>&1 & pids="$pids $!" ;;
		none) pids="" ;;
		esac
		if [ -n "$pids" ]; then started $pids; wait $pids; reaped $pids; fi
		flood_rate >> "$tmp/rates"
	done
	rate=$(median < "$tmp/rates")
	[ -z "$base" ] && base=$rate
	printf '  %-8s %10.0f  %6.3fx\n' $mode "$rate" "$(awk -v a="$rate" -v b="$base" 'BEGIN {print a / b}')"
done
