// The run page's viewer: reads window.HMR_RUN (hmr-data.js, written by src/page/writer.py) and draws
// each input's people with three.js (window.HMRThree, hmr-three.js). One WebGL renderer draws every
// view, each into its own 2D canvas, so a folder of many photos does not run out of WebGL contexts.
// Sets document.documentElement.dataset.hmrReady = '1' once every 3D view has drawn its first frame;
// problems go to #hmr-errors.
(function () {
  'use strict';
  var run = window.HMR_RUN;
  var errorList = document.getElementById('hmr-errors');
  var COLOURS = [0x8fb3e8, 0xe8a98f, 0x9fe08f, 0xd9c86a, 0xc48fe8, 0x6ad9d0];
  var VIEW_SIZE = 480;

  function problem(text) {
    var item = document.createElement('li');
    item.textContent = text;
    errorList.appendChild(item);
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bytes(base64) {
    var text = atob(base64);
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  (window.HMR_EARLY_ERRORS || []).forEach(problem);
  window.addEventListener('error', function (e) { problem('page error: ' + e.message); });
  if (!run) {
    problem('hmr-data.js is missing or broken: run the demo again to write this page');
    return;
  }
  document.title = run.title;
  run.problems.forEach(problem);

  // The files of the run, each a link.
  var fileList = document.getElementById('hmr-files');
  run.inputs.forEach(function (input) {
    input.files.forEach(function (name) {
      var item = element('li');
      item.appendChild(element('a', { href: encodeURIComponent(name) }, name));
      fileList.appendChild(item);
    });
  });

  var H = window.HMRThree;
  var views = [];
  var pending = 0;

  function viewReady() {
    pending -= 1;
    if (pending === 0 && errorList.children.length === 0) document.documentElement.dataset.hmrReady = '1';
  }

  var renderer = null;
  if (H) {
    try {
      renderer = new H.THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
      renderer.setPixelRatio(1);
      renderer.setSize(VIEW_SIZE, VIEW_SIZE, false);
    } catch (e) {
      problem('WebGL is not available in this browser: ' + e.message);
    }
  } else if (!run.problems.length) {
    problem('hmr-three.js did not load: run `make page-assets` and the demo again');
  }

  // A 3D view: its own scene, camera and orbit controls, drawn by the shared renderer into `canvas`.
  function View(canvas, fovDegrees) {
    var THREE = H.THREE;
    this.canvas = canvas;
    canvas.width = VIEW_SIZE;
    canvas.height = VIEW_SIZE;
    this.context = canvas.getContext('2d');
    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(0xeeeeff);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x666677, 2.0));
    var light = new THREE.DirectionalLight(0xffffff, 1.5);
    light.position.set(1, 2, 3);
    this.scene.add(light);
    this.camera = new THREE.PerspectiveCamera(fovDegrees || 40, 1, 0.05, 200);
    this.controls = new H.OrbitControls(this.camera, canvas);
    this.controls.addEventListener('change', this.draw.bind(this));
    this.drawn = false;
  }
  View.prototype.look = function (target) {
    // The photo's own viewpoint (the camera at the origin) looking at the people.
    this.camera.position.set(0, 0, 0);
    this.controls.target.copy(target);
    this.camera.lookAt(target);
    this.controls.update();
  };
  View.prototype.draw = function () {
    renderer.render(this.scene, this.camera);
    this.context.drawImage(renderer.domElement, 0, 0, VIEW_SIZE, VIEW_SIZE);
    if (!this.drawn) {
      this.drawn = true;
      viewReady();
    }
  };

  function fovOf(camera, size) {
    // The field of view of the pinhole camera [f, cx, cy] across the image's longer side (`size`
    // [width, height]): the square view then holds the whole picture's view.
    return camera && size ? 2 * Math.atan(Math.max(size[0], size[1]) / 2 / camera[0]) * 180 / Math.PI : 40;
  }

  function imageView(input, box) {
    var THREE = H.THREE;
    var canvas = element('canvas');
    box.appendChild(canvas);
    var view = new View(canvas, fovOf(input.camera, input.image_size));
    var index = new THREE.BufferAttribute(new Uint32Array(bytes(input.faces).buffer), 1);
    var people = new THREE.Group();
    // The demo's meshes are in the image's camera frame (x right, y down, z away); three.js looks
    // down -z with y up: turn them 180 degrees about x.
    people.scale.set(1, -1, -1);
    input.people.forEach(function (person, i) {
      var geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(bytes(person.verts).buffer), 3));
      geometry.setIndex(index);
      geometry.computeVertexNormals();
      var material = new THREE.MeshStandardMaterial({ color: COLOURS[i % COLOURS.length], roughness: 0.7,
                                                      side: THREE.DoubleSide });
      people.add(new THREE.Mesh(geometry, material));
    });
    view.scene.add(people);
    // Each person's detection and quality values, as the run's JSON has them.
    var keys = [];
    input.people.forEach(function (person) {
      Object.keys(person).forEach(function (k) { if (k !== 'verts' && keys.indexOf(k) < 0) keys.push(k); });
    });
    var table = element('table', { class: 'hmr-quality' });
    var header = element('tr');
    ['person'].concat(keys).forEach(function (k) { header.appendChild(element('th', {}, k)); });
    table.appendChild(header);
    input.people.forEach(function (person, i) {
      var row = element('tr', { class: person.truncated || person.doubtful ? 'doubt' : '' });
      row.appendChild(element('td', {}, String(i)));
      keys.forEach(function (k) {
        var value = person[k];
        row.appendChild(element('td', {}, value === undefined || value === null ? '' :
          (typeof value === 'number' ? (Math.round(value * 100) / 100).toString() : String(value))));
      });
      table.appendChild(row);
    });
    box.appendChild(table);
    people.updateMatrixWorld(true);
    var centre = new THREE.Box3().setFromObject(people).getCenter(new THREE.Vector3());
    view.look(centre);
    view.draw();
    return view;
  }

  function videoView(input, box, video) {
    var THREE = H.THREE;
    var canvas = element('canvas');
    box.appendChild(canvas);
    var view = new View(canvas, fovOf(input.camera, input.size));
    var loader = new H.GLTFLoader();
    var tracks = input.tracks.filter(function (t) { return t.glb; });
    var loaded = 0;
    var frame = 0;
    var controls = element('div', { class: 'controls' });
    var slider = element('input', { type: 'range', min: 0, max: Math.max(0, input.frames - 1), value: 0,
                                    class: 'hmr-frame' });
    var label = element('span', { class: 'hmr-frame-label' });
    controls.appendChild(element('label', {}, 'frame '));
    controls.appendChild(slider);
    controls.appendChild(label);
    box.appendChild(controls);
    var toggles = element('div', { class: 'controls' });
    box.appendChild(toggles);
    var table = element('table', { class: 'hmr-quality' });
    box.appendChild(table);
    var qualityKeys = [];
    input.tracks.forEach(function (t) {
      Object.keys(t.quality).forEach(function (k) { if (qualityKeys.indexOf(k) < 0) qualityKeys.push(k); });
    });
    var header = element('tr');
    ['track', 'in frame'].concat(qualityKeys).forEach(function (k) { header.appendChild(element('th', {}, k)); });
    table.appendChild(header);

    tracks.forEach(function (track, i) {
      track.row = element('tr');
      track.cells = ['track', 'in frame'].concat(qualityKeys).map(function () {
        var cell = element('td');
        track.row.appendChild(cell);
        return cell;
      });
      track.cells[0].textContent = String(track.id);
      table.appendChild(track.row);
      track.shown = true;
      track.seen = new Set(track.frames);
      var toggle = element('label', {});
      var box2 = element('input', { type: 'checkbox', class: 'hmr-track', 'data-track': track.id });
      box2.checked = true;
      box2.addEventListener('change', function () { track.shown = box2.checked; showFrame(frame); });
      toggle.appendChild(box2);
      toggle.appendChild(document.createTextNode(' track ' + track.id));
      toggles.appendChild(toggle);
      loader.parse(bytes(track.glb).buffer, '', function (gltf) {
        track.scene = gltf.scene;
        gltf.scene.traverse(function (node) {
          if (node.isMesh) {
            node.frustumCulled = false;
            node.material = new THREE.MeshStandardMaterial({ color: COLOURS[i % COLOURS.length], roughness: 0.7 });
          }
        });
        track.mixer = new THREE.AnimationMixer(gltf.scene);
        var action = track.mixer.clipAction(gltf.animations[0]);
        action.setLoop(THREE.LoopOnce, 1);
        action.clampWhenFinished = true;
        action.play();
        view.scene.add(gltf.scene);
        loaded += 1;
        if (loaded === tracks.length) start();
      }, function (error) {
        problem(input.name + ': track ' + track.id + ': the GLB did not load: ' + (error.message || error));
      });
    });
    if (!tracks.length) {
      view.look(new THREE.Vector3(0, 0, -3));
      view.draw();
    }

    function sourceFrame(k) { return input.start + k * input.every; }

    function showFrame(k) {
      frame = k;
      slider.value = k;
      var index = sourceFrame(k);
      label.textContent = k + ' / ' + (input.frames - 1) + ' (video frame ' + index + ')';
      tracks.forEach(function (track) {
        var first = track.frames[0], last = track.frames[track.frames.length - 1];
        var inside = index >= first && index <= last;
        if (!track.scene) return;
        track.scene.visible = track.shown && inside;
        if (inside) {
          // The GLB is keyed once per kept frame from the track's first (src/demo/video.py).
          track.mixer.setTime((Math.floor(index / input.every) - Math.floor(first / input.every)) / input.fps);
        }
        var row = track.frames.indexOf(index);
        track.cells[1].textContent = row >= 0 ? 'yes' : (inside ? 'filled in' : 'no');
        track.row.className = row >= 0 ? '' : 'gap';
        var doubtful = false;
        qualityKeys.forEach(function (key, c) {
          var values = track.quality[key];
          var value = values && row >= 0 ? values[row] : null;
          if ((key === 'truncated' || key === 'doubtful') && value) doubtful = true;
          track.cells[2 + c].textContent = value === null || value === undefined ? '' :
            (typeof value === 'number' ? (Math.round(value * 100) / 100).toString() : String(value));
        });
        if (doubtful) track.row.className = 'doubt';
      });
      view.draw();
    }

    function start() {
      var first = tracks[0];
      first.mixer.setTime(0);
      first.scene.updateMatrixWorld(true);
      // The first track's root joint at its first frame, as the point to orbit around.
      var root = first.scene.children[0].getWorldPosition(new THREE.Vector3());
      view.look(root);
      showFrame(0);
    }

    slider.addEventListener('input', function () {
      var k = Number(slider.value);
      if (video) {
        video.pause();
        video.currentTime = (k + 0.5) / input.fps;
      }
      showFrame(k);
    });
    if (video && video.requestVideoFrameCallback) {
      var follow = function (now, metadata) {
        var k = Math.min(input.frames - 1, Math.round(metadata.mediaTime * input.fps));
        if (!video.paused && k !== frame) showFrame(k);
        video.requestVideoFrameCallback(follow);
      };
      video.requestVideoFrameCallback(follow);
    }
    return view;
  }

  var container = document.getElementById('hmr-inputs');
  run.inputs.forEach(function (input) {
    var section = element('section', { class: 'input', 'data-name': input.name });
    section.appendChild(element('h2', {}, input.name));
    var row = element('div', { class: 'row' });
    section.appendChild(row);
    var figure = element('div', { class: 'figure' });
    row.appendChild(figure);
    var video = null;
    if (input.figure) figure.appendChild(element('img', { src: encodeURIComponent(input.figure), alt: input.name }));
    if (input.overlay) {
      video = element('video', { src: encodeURIComponent(input.overlay), controls: '', muted: '', preload: 'auto' });
      figure.appendChild(video);
    }
    input.notes.forEach(function (note) { section.appendChild(element('p', { class: 'notes' }, note)); });
    container.appendChild(section);
    var has3d = input.kind === 'image' ? input.people.length > 0 : input.frames > 0;
    if (!has3d || !renderer) return;
    var box = element('div', { class: 'view' });
    row.appendChild(box);
    box.appendChild(element('div', { class: 'hint' }, 'drag: turn, wheel: zoom, right-drag: move'));
    pending += 1;
    try {
      views.push(input.kind === 'image' ? imageView(input, box) : videoView(input, box, video));
    } catch (e) {
      problem(input.name + ': the 3D view failed: ' + e.message);
    }
  });
  if (pending === 0 && errorList.children.length === 0) document.documentElement.dataset.hmrReady = '1';
})();
