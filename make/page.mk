# The run page (src/page) and the local web app (src/serve): three.js from npm, bundled for classic
# <script> use (browsers refuse ES module scripts from file://), and the browser tests.
PAGE_BUILD := build/page
THREE_VERSION := 0.187.0
ESBUILD_VERSION := 0.28.2
PAGE_BUNDLE := $(PAGE_BUILD)/hmr-three.js
SERVE_ARGS ?=

.PHONY: page-assets serve test-browser browser-tools

page-assets: $(PAGE_BUNDLE)

# One IIFE (global HMRThree: THREE, OrbitControls, GLTFLoader) the demo copies next to each index.html.
$(PAGE_BUNDLE): src/page/three_entry.js make/page.mk
	mkdir -p $(PAGE_BUILD)
	npm install --prefix $(PAGE_BUILD) --no-save --no-audit --no-fund --loglevel=error \
	  three@$(THREE_VERSION) esbuild@$(ESBUILD_VERSION)
	NODE_PATH=$(abspath $(PAGE_BUILD))/node_modules $(PAGE_BUILD)/node_modules/.bin/esbuild \
	  src/page/three_entry.js --bundle --minify --format=iife --target=es2020 --outfile=$@.tmp
	mv $@.tmp $@

serve: $(TF2)/.installed $(PAGE_BUNDLE)
	$(TF2)/bin/python -m src.serve $(SERVE_ARGS)

# Debian's Chromium and its WebDriver (test tools), installed when absent.
browser-tools:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }

test-browser: $(TF2)/.installed browser-tools $(PAGE_BUNDLE)
	$(TF2)/bin/python -m pytest -q tests -m browser $(PYTEST_ARGS)
