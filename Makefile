# The README's two commands: `make demo` and `make test`. Each installs what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
TOOLS := $(HOME)/.cache/aequa-tools
export PATH := $(CURDIR)/node_modules/.bin:$(TOOLS)/bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR := never

.PHONY: demo test setup wheel lint test-rust test-wasm test-python test-notebooks bench fixtures
.PHONY: dashboard test-browser bench-dashboard

demo: wheel
	$(PY) examples/adult_audit.py --out out

test: lint test-rust test-wasm test-python test-notebooks test-browser
	@echo "make test: every layer passed"

setup: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Build the wheel (bundling the Adult data and the built dashboard) and install it into the venv.
wheel: setup dashboard
	rm -rf python/aequa/_data && mkdir -p python/aequa/_data && cp -r data/adult python/aequa/_data/
	rm -rf python/aequa/_dashboard && mkdir -p python/aequa/_dashboard
	cp wasm/dashboard/dist/aequa-dashboard.html wasm/dashboard/dist/widget.js python/aequa/_dashboard/
	rm -rf target/wheels
	$(VENV)/bin/maturin build --release --quiet -o target/wheels
	$(PY) -m pip install -q --force-reinstall --no-deps target/wheels/aequa-*.whl

lint: setup
	rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	cargo clippy -p aequa-core -p aequa-wasm --target wasm32-unknown-unknown --quiet -- -D warnings
	$(VENV)/bin/ruff check python tests examples benchmarks
	$(VENV)/bin/ruff format --check python tests examples benchmarks

test-rust:
	cargo test --workspace --exclude aequa-python

test-wasm:
	bash scripts/test-wasm.sh

test-python: wheel
	cd tests/python && $(PY) -m pytest -q -p no:cacheprovider
	cd tests/python && $(PY) -m mypy.stubtest aequa._core --allowlist stubtest-allowlist.txt
	cd tests/python && $(PY) -m pytest -q -p no:cacheprovider --doctest-modules \
		$$($(PY) -c "import aequa, os; print(os.path.dirname(aequa.__file__))")

test-notebooks: wheel
	$(PY) scripts/run_notebooks.py notebooks

bench: wheel
	$(PY) benchmarks/fairness_vs_fairlearn.py
	$(PY) benchmarks/shapley_vs_shap.py
	$(PY) benchmarks/drift_vs_scipy.py

# Regenerate the golden fixtures from the anchors, then check nothing drifted.
fixtures: setup
	$(PY) tests/golden/generate_fairness.py
	$(PY) tests/golden/generate_inspection.py
	$(PY) tests/golden/generate_shapley.py
	$(PY) -m pip install -q evidently==0.7.23 && $(PY) tests/golden/generate_drift.py
	$(PY) tests/golden/generate_robust.py
	git diff --exit-code tests/golden

# The offline dashboard (wasm/dashboard/dist): WASM module, npm ci, esbuild.
dashboard:
	bash scripts/build-dashboard.sh

# The dashboard in real headless Chromium (Debian's package; Playwright drives it).
test-browser: wheel
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)
	cd tests/browser && $(PY) -m pytest -q -p no:cacheprovider

bench-dashboard: wheel
	$(PY) benchmarks/dashboard_in_browser.py
