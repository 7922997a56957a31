@echo off
rem Outpost agent launcher: runs the bundled agent with this machine's Node.js (20 or later).
where node >nul 2>nul
if errorlevel 1 (
  echo The Outpost agent needs Node.js 20 or later: https://nodejs.org/ 1>&2
  exit /b 1
)
node "%~dp0outpost-agent.cjs" %*
