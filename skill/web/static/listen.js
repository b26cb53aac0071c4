// Optional extras for the audio players; the page works fully without this file.
// - Playback speed buttons (0.75x, 1x, 1.25x, 1.5x) for every player on the page.
// - Starting one recording pauses any other, so two never talk at once.
(function () {
  "use strict";
  var players = Array.prototype.slice.call(document.querySelectorAll("audio"));
  var slot = document.getElementById("speed-slot");
  if (!players.length || !slot) { return; }

  var speeds = [["0.75x", 0.75], ["1x (normal)", 1], ["1.25x", 1.25], ["1.5x", 1.5]];
  var label = document.createElement("p");
  label.id = "speed-label";
  label.textContent = "Playback speed for all recordings";
  var group = document.createElement("div");
  group.className = "buttons";
  group.setAttribute("role", "group");
  group.setAttribute("aria-labelledby", "speed-label");
  var buttons = speeds.map(function (speed) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = speed[0];
    button.setAttribute("aria-pressed", speed[1] === 1 ? "true" : "false");
    button.addEventListener("click", function () {
      players.forEach(function (player) {
        player.defaultPlaybackRate = speed[1];
        player.playbackRate = speed[1];
      });
      buttons.forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
    });
    group.appendChild(button);
    return button;
  });
  slot.appendChild(label);
  slot.appendChild(group);
  slot.hidden = false;

  players.forEach(function (player) {
    player.addEventListener("play", function () {
      players.forEach(function (other) {
        if (other !== player && !other.paused) { other.pause(); }
      });
    });
  });
}());
