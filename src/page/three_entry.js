// The parts of three.js the run page uses, bundled into one classic script (global HMRThree).
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

window.HMRThree = { THREE, OrbitControls, GLTFLoader };
